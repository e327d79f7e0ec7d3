"""50 concurrent uploads to a running `budget-tables serve`: each POST /api/check of a
sample must come back with its own file name, year and no error.

usage: python3 benches/serve_load.py http://127.0.0.1:PORT/   (run from the repository root)
"""
import json, sys, threading, time, urllib.request, uuid
url = sys.argv[1]
files = ["samples/shenzhen-zwfw-2024.xlsx", "samples/shenzhen-zwfw-2023.xlsx"]
data = {f: open(f, "rb").read() for f in files}
results = [None] * 50
def one(i):
    f = files[i % 2]
    b = uuid.uuid4().hex
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{f.split('/')[-1]}\"\r\n\r\n").encode() + data[f] + f"\r\n--{b}--\r\n".encode()
    req = urllib.request.Request(url + "api/check", data=body, headers={"Content-Type": f"multipart/form-data; boundary={b}", "Origin": url.rstrip("/")})
    t = time.time()
    r = json.load(urllib.request.urlopen(req, timeout=120))
    results[i] = (r["file"] == f.split('/')[-1] and r["errors"] == 0, time.time() - t)
start = time.time()
ts = [threading.Thread(target=one, args=(i,)) for i in range(50)]
[t.start() for t in ts]; [t.join() for t in ts]
total = time.time() - start
ok = sum(1 for r in results if r and r[0])
lat = sorted(r[1] for r in results)
print(f"50 concurrent POST /api/check: {ok}/50 correct, total {total:.2f} s, median {lat[25]:.2f} s, max {lat[-1]:.2f} s")
