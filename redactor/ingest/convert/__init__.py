"""Inputs that are not PDF: Office documents, e-mails, images, text."""
