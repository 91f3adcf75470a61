"""The staff web dashboard (issue 11): cases, their history, decisions and figures.

Off unless ``[web] enabled``; the service then serves it from its own event loop
(``bot.web.server``). Nothing here is imported by the rest of the service otherwise, so a
service without the dashboard never loads Starlette or uvicorn.
"""
