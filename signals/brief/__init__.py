"""Briefs: what a view holds, written up for someone who will never open the dashboard.

    options.py   the choices (which signals, how grouped, how many): light, for the CLI's parser
    content.py   a view + corpus + annotations + options -> a Brief (pure: the content model, built once)
    text.py      document text made inert for each format (Markdown, HTML, slides), links only http(s)
    charts.py    the brief's charts as PNG images (Vega-Lite specs from signals.vegalite, vl-convert)
    markdown.py  Brief -> Markdown
    html.py      Brief (+ chart images) -> one self-contained HTML file, printable to PDF
    slides.py    Brief (+ chart images) -> PowerPoint bytes (python-pptx)
    files.py     a format's name, suffix and MIME type; Brief -> the bytes of a file

No Streamlit here: the app's Brief page and `signals brief` both call these.
"""
