"""Optical character recognition: the view a person has of a page's pixels.

* :mod:`.tesseract` wraps the Tesseract 5 command line (Debian
  ``tesseract-ocr``), with a timeout, one process for one or several images;
* :mod:`.select` decides which pages and pictures need reading (``--ocr``);
* :mod:`.reading` reads them and turns words into page-space text;
* :mod:`.document` does both for a document and reports what could not be
  read; :mod:`.hooks` is what the pipeline calls.
"""
