"""Optical character recognition: the view a person has of a page's pixels.

:mod:`redactor.text.ocr.tesseract` wraps the Tesseract 5 command line
(Debian ``tesseract-ocr``), one process per image, with a timeout.
"""
