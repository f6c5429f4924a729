# A tiny project for the book extension's in-process tests; the test gives handbook_content.
extensions = ["myst_parser", "protocols.book.extension"]
html_theme = "basic"
myst_enable_extensions = ["colon_fence"]
