"""The Python contenders, run by bench/main.ts in a fresh process per
measurement, with the interpreter of a throwaway venv outside the repository:

  <venv>/bin/python bench/python_runner.py '<RunnerConfig JSON>'

impl "cent":    cent 5.x AsyncClient (aiohttp), PublishRequest per call.
impl "aiocent": aiocent 4.1.2 Client (aiohttp), legacy format: POST /api with
                {"method": "publish", "params": ...} and Authorization: apikey.
impl "aiohttp": the identical v6 request through a bare aiohttp session,
                the Python ceiling.
Modes: "throughput" (cent, aiocent, aiohttp) and "shape" (cent: N channels
sequentially, in one BatchRequest, in one BroadcastRequest).

The loop mirrors bench/_measure.js: `concurrency` tasks take request numbers
from one counter until the time is up (`seconds`, after `warmupSeconds` of
warm-up) or `requests` are done.
Prints one JSON line with the result. Standard asyncio event loop.
"""

import asyncio
import json
import math
import sys
import time

TIMEOUT_S = 10.0


def channel_of(publication, i):
    return f"{publication['prefix']}{i % publication['channels']}"


async def drive(send, concurrency, total, deadline, latencies):
    state = {"next": 0, "done": 0, "errors": 0, "first_error": None}

    async def worker():
        while state["next"] < total and time.perf_counter() < deadline:
            i = state["next"]
            state["next"] += 1
            start = time.perf_counter()
            try:
                await send(i)
            except Exception as err:  # noqa: BLE001 - counted and reported
                state["errors"] += 1
                if state["first_error"] is None:
                    state["first_error"] = f"{type(err).__name__}: {err}"[:300]
            if latencies is not None:
                latencies.append((time.perf_counter() - start) * 1000)
            state["done"] += 1

    await asyncio.gather(*(worker() for _ in range(min(concurrency, total))))
    return state


def quantile(values, q):
    if not values:
        return None
    rank = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return values[rank]


async def measure(send, config):
    bound = time.perf_counter() + config["maxSeconds"]
    if config["warmupSeconds"] > 0:
        until = min(bound, time.perf_counter() + config["warmupSeconds"])
        await drive(lambda i: send(i + 1_000_000_000), config["concurrency"], config["requests"], until, None)
    latencies = []
    cpu = time.process_time()
    begin = time.perf_counter()
    until = min(bound, begin + config["seconds"])
    state = await drive(send, config["concurrency"], config["requests"], until, latencies)
    seconds = time.perf_counter() - begin
    cpu_ms = (time.process_time() - cpu) * 1000
    latencies.sort()
    result = {
        "requests": state["done"],
        "errors": state["errors"],
        "seconds": seconds,
        "rps": state["done"] / seconds,
        "p50": quantile(latencies, 0.5),
        "p99": quantile(latencies, 0.99),
        "max": quantile(latencies, 1),
        "cpuMs": cpu_ms,
        "cpuUsPerRequest": cpu_ms * 1000 / state["done"] if state["done"] else None,
    }
    if state["first_error"] is not None:
        result["firstError"] = state["first_error"]
    return result


async def throughput(config, keep):
    publication = config["publication"]
    data = publication["data"]
    url = config["url"]
    key = config["apiKey"]
    impl = config["impl"]
    if impl == "cent":
        from cent import AsyncClient, PublishRequest

        client = AsyncClient(url, key, timeout=TIMEOUT_S)

        async def send(i):
            return await client.publish(PublishRequest(channel=channel_of(publication, i), data=data))

        try:
            return await measure(send, config)
        finally:
            await client.close()
    if impl == "aiocent":
        from aiocent import Client

        client = Client(url, api_key=key, timeout=TIMEOUT_S)
        # Its __del__ runs asyncio.run(session.close()), which fails inside a
        # running loop: keep it alive until the loop is over.
        keep.append(client)

        async def send(i):
            return await client.publish(channel_of(publication, i), data)

        try:
            return await measure(send, config)
        finally:
            if client.session is not None:
                await client.session.close()
    if impl == "aiohttp":
        import aiohttp

        target = f"{url}/publish"
        headers = {"Content-Type": "application/json", "X-API-Key": key}
        session = aiohttp.ClientSession()

        async def send(i):
            body = json.dumps({"channel": channel_of(publication, i), "data": data})
            async with session.post(target, data=body, headers=headers) as response:
                reply = await response.json()
                if response.status != 200 or "error" in reply:
                    raise RuntimeError(f"HTTP {response.status} {reply.get('error')}")
                return reply.get("result")

        try:
            return await measure(send, config)
        finally:
            await session.close()
    raise ValueError(f"unknown impl {impl}")


async def shape(config):
    if config["impl"] != "cent":
        raise ValueError(f"shape: unknown impl {config['impl']}")
    from cent import AsyncClient, BatchRequest, BroadcastRequest, PublishRequest

    data = config["publication"]["data"]
    client = AsyncClient(config["url"], config["apiKey"], timeout=60.0)
    channels = [f"shape_{i}" for i in range(config["requests"])]
    deadline = time.perf_counter() + config["maxSeconds"]
    try:
        start = time.perf_counter()
        state = await drive(
            lambda i: client.publish(PublishRequest(channel=channels[i], data=data)),
            1,
            len(channels),
            deadline,
            None,
        )
        sequential = {
            "seconds": time.perf_counter() - start,
            "errors": state["errors"] + len(channels) - state["done"],
        }

        start = time.perf_counter()
        replies = await client.batch(
            BatchRequest(requests=[PublishRequest(channel=channel, data=data) for channel in channels])
        )
        batch = {
            "seconds": time.perf_counter() - start,
            "errors": len(channels) - len(replies.replies),
        }

        start = time.perf_counter()
        result = await client.broadcast(BroadcastRequest(channels=channels, data=data))
        broadcast = {
            "seconds": time.perf_counter() - start,
            "errors": sum(1 for response in result.responses if response.error is not None),
        }
        return {"channels": len(channels), "sequential": sequential, "batch": batch, "broadcast": broadcast}
    finally:
        await client.close()


def main():
    config = json.loads(sys.argv[1])
    keep = []
    if config["mode"] == "shape":
        result = asyncio.run(shape(config))
    elif config["mode"] == "throughput":
        result = asyncio.run(throughput(config, keep))
    else:
        raise ValueError(f"python_runner: unsupported mode {config['mode']}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
