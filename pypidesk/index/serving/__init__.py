"""Running the server: uvicorn, worker processes, idle memory release, health checks.

Also the pieces every route shares at run time: FastAPI dependencies that hand
out the process's services, and responses that put the error in the HTTP
reason phrase as PyPI does.
"""
