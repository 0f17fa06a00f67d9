"""docker-py (Debian's python3-docker) doing one benchmark case; prints the elapsed milliseconds.

    python3 docker_py.py CASE N [CONTAINER_ID]     # CASE: ping | inspect | instant | list | cycle
"""
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import docker

case, n = sys.argv[1], int(sys.argv[2])
client = docker.APIClient(base_url=__import__("os").environ["DOCKER_HOST"], version="1.41")

start = time.perf_counter()
if case == "ping":
    for _ in range(n):
        client.ping()
elif case in ("inspect", "instant"):
    for _ in range(n):
        client.inspect_container(sys.argv[3])
elif case == "list":
    # docker-py's pool holds 10 connections; 64 threads share them.
    with ThreadPoolExecutor(64) as pool:
        list(pool.map(lambda _: client.containers(all=True), range(n)))
elif case == "cycle":
    for _ in range(n):
        container = client.create_container("busybox", ["true"], labels={"effect-docker.bench": "cycle"})
        client.start(container)
        client.wait(container)
        client.remove_container(container)
print(round((time.perf_counter() - start) * 1000, 1))
