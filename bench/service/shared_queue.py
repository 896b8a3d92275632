#!/usr/bin/env python3
"""The shared queue under load, for bench/service/load.sh (standard library only).

  shared_queue.py rate-limit URL KEY PATH SECONDS LIMIT CLIENTS
      CLIENTS threads send PUT PATH (a resident update) with one customer's KEY for SECONDS, as
      fast as the service answers; prints the answers by status and what a token bucket of
      LIMIT a minute allows in that time (LIMIT at once, then LIMIT/60 a second).
  shared_queue.py fairness URL ADMIN_KEY KEY_A PATH_A KEY_B PATH_B BACKLOG SINGLES
      customer A queues BACKLOG writes (8 threads, kept-alive connections), then customer B sends
      SINGLES writes one after another, each waited for until write-status is no longer PENDING;
      prints how long A's backlog took to queue, each of B's write latencies (submit to SUCCESS),
      and how many of A's were still unfinished when B's last finished (from /metrics: the
      service must have served no other writes).
"""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

BODY = json.dumps({"first_name": "Ann", "last_name": "Lee", "address_1": "1 Main St"})


def connect(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def request(conn, method, path, key, body=None):
    """One request on a kept-alive connection (made again if the server closed it): status, body."""
    headers = {"Authorization": "Bearer " + key}
    if body is not None:
        headers["Content-Type"] = "application/json"
    for attempt in range(2):
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.read().decode()
        except (http.client.HTTPException, ConnectionError):
            conn.close()  # the server ended the connection (keep_alive_max_requests): reconnect
            if attempt:
                raise
    raise AssertionError("unreachable")


def rate_limit(url, key, path, seconds, limit, clients):
    counts = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def hammer():
        conn = connect(url)
        mine = {}
        while time.monotonic() < deadline:
            status, _ = request(conn, "PUT", path, key, BODY)
            mine[status] = mine.get(status, 0) + 1
        with lock:
            for status, n in mine.items():
                counts[status] = counts.get(status, 0) + n

    threads = [threading.Thread(target=hammer) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    total = sum(counts.values())
    allowed = limit + limit / 60 * took
    by_status = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
    print(f"  one key, {clients} clients, {took:.1f} s: {total} requests ({total / took:.0f}/s); {by_status}")
    print(f"  a bucket of {limit}/min allows {allowed:.0f} in {took:.1f} s ({limit} at once, then {limit / 60:.1f}/s);"
          f" accepted {counts.get(202, 0)}, refused 429 {counts.get(429, 0)}")


def succeeded_jobs(url, admin_key):
    conn = connect(url)
    _, body = request(conn, "GET", "/metrics", admin_key)
    conn.close()
    for line in body.splitlines():
        if line.startswith('gatehouse_jobs_total{outcome="succeeded"} '):
            return int(line.split()[-1])
    raise SystemExit("no gatehouse_jobs_total in /metrics")


def fairness(url, admin_key, key_a, path_a, key_b, path_b, backlog, singles):
    clients = 8
    a_jobs = []
    lock = threading.Lock()

    def queue(n):
        conn = connect(url)
        mine = []
        for _ in range(n):
            status, body = request(conn, "PUT", path_a, key_a, BODY)
            if status != 202:
                raise SystemExit(f"A's write answered {status}: {body}")
            mine.append(json.loads(body)["job_id"])
        with lock:
            a_jobs.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=queue, args=(backlog // clients,)) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queued_in = time.monotonic() - started
    print(f"  customer A queued {len(a_jobs)} writes in {queued_in:.1f} s ({len(a_jobs) / queued_in:.0f}/s)")

    conn = connect(url)
    latencies = []
    for _ in range(singles):
        submitted = time.monotonic()
        status, body = request(conn, "PUT", path_b, key_b, BODY)
        if status != 202:
            raise SystemExit(f"B's write answered {status}: {body}")
        job = json.loads(body)["job_id"]
        while True:
            status, body = request(conn, "GET", "/v1/admin/write-status/" + job, key_b)
            if status == 200 and json.loads(body)["write_status"] != "PENDING":
                break
            if time.monotonic() - submitted > 300:
                raise SystemExit("B's write is still PENDING after 300 s")
            time.sleep(0.005)
        latencies.append((time.monotonic() - submitted) * 1000)
    a_left = len(a_jobs) - (succeeded_jobs(url, admin_key) - singles)
    print(f"  customer B's {singles} writes, one after another, submit to SUCCESS: p50 {statistics.median(latencies):.0f} ms,"
          f" max {max(latencies):.0f} ms ({', '.join(f'{x:.0f}' for x in latencies)} ms);"
          f" {a_left} of A's writes still queued or running after B's last")


def main(argv):
    if len(argv) == 8 and argv[1] == "rate-limit":
        rate_limit(argv[2], argv[3], argv[4], float(argv[5]), int(argv[6]), int(argv[7]))
    elif len(argv) == 10 and argv[1] == "fairness":
        fairness(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], int(argv[8]), int(argv[9]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
