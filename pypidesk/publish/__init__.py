"""From a source folder to published files, without Qt: build, check, upload, try, promote.

The Publish page is a thin shell over these coroutines, so a script or a test
can run every step the page runs. Each step is its own module:

- :mod:`.source`: is this folder a project, which dist files were dropped.
- :mod:`.build`: pypa ``build`` as a child process, its log streamed, cancellable.
- :mod:`.distfile`: what one file is (name, version, kind, size, digests), read by twine.
- :mod:`.checks`: twine's checks, PyPI's name and version rules, "already on the target?".
- :mod:`.upload`: the :class:`~.upload.Publisher` seam and the legacy (file by file) upload.
- :mod:`.staged`: the staged upload (PEP 694 sessions) where the index offers them.
- :mod:`.tryit`: a throwaway venv that installs the release and imports it.
"""
