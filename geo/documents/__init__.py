"""
From a report's text to figures a planner reviews: read, find quantities, propose, review.

:mod:`geo.documents.read` turns a PDF, DOCX or text file into numbered lines;
:mod:`geo.documents.quantities` finds the numbers as the documents write them (2.21 万户);
:mod:`geo.documents.cues` the words around them (what, where, when);
:mod:`geo.documents.extract` proposes figures; :mod:`geo.documents.review` applies the
planner's review; :mod:`geo.documents.score` scores proposals against curated figures;
:mod:`geo.documents.table` reads a figures table filled in by hand.
"""
