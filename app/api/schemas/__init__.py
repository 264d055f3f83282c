"""marshmallow 4 schemas for every input and output of the API, one module per resource; what they
share (the input base class `In`, times, texts, paging, errors) is in `common`. Views import from
the resource's module. Output schemas dump what the domain hands them: which rows, photos and fields
an audience may see is decided in app/domain (e.g. complaints/officer_view.py), not here."""
