"""The dashboard: server-rendered pages (Jinja2) over the same functions as the API, with plotly.js charts."""
