"""The baseline for scripts/bench/scan: a bare Flask JSON endpoint, served by gunicorn with exactly the
settings the real app gets in the same run. What the landing costs beyond this is the app's own work
(routing through the blueprint, the database, marshmallow, the session)."""

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider

app = Flask(__name__)
assert isinstance(app.json, DefaultJSONProvider)
app.json.ensure_ascii = False  # as the real app


@app.get("/bare")
def bare():
    return jsonify({"code": "0000-0000-00000", "village": {"id": 1, "name": "下林村"}, "disclosures": []})
