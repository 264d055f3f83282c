"""Pages for people outside the mini-program: the door sticker scanned by any camera (the village's
disclosures, to read in full, and the way into the mini-program), and the cadre invitation's note.
The view modules register their routes on `bp` when imported (app.web.routes imports them)."""

from flask import Blueprint

bp = Blueprint("web", __name__)
