"""The read side of the index: what pip, uv, poetry and mirrors fetch.

Simple API (PEP 503/691), JSON API, XML-RPC mirroring trio, file downloads and
a small human project page. Reads are the hot path of an index, so this
package answers them from a plain ASGI layer in front of FastAPI
(:mod:`pypidesk.index.read.routes`) with pages rendered once per serial
(:mod:`pypidesk.index.read.cache`); everything else goes on to FastAPI.
The PyPI behaviour they follow is in docs/pypi-behaviour.md ("Simple API",
"JSON API", "XML-RPC", "Caching headers").
"""
