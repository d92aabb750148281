"""SCIM throughput: provision N users, then deactivate them (Okta's PATCH form), one request at a time as identity
providers do. Usage: python bench-scim.py BASE_URL SCIM_TOKEN [N]. See BENCHMARKS.md."""
import sys
import time

from httpx2 import Client

base, token = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
http = Client(base_url=f"{base}/scim/v2", headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/scim+json"}, timeout=30)
ids = []
t0 = time.perf_counter()
for i in range(n):
    r = http.post("/Users", json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                  "userName": f"scim{i}@bench.example.com", "displayName": f"Scim {i}",
                                  "externalId": f"00u{i:08d}", "active": True})
    r.raise_for_status()
    ids.append(r.json()["id"])
t1 = time.perf_counter()
for i in ids:
    r = http.patch(f"/Users/{i}", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                        "Operations": [{"op": "replace", "value": {"active": False}}]})
    r.raise_for_status()
t2 = time.perf_counter()
r = http.get("/Users", params={"filter": f'userName eq "scim{n // 2}@bench.example.com"'})
r.raise_for_status()
print(f"| SCIM, {n} users, one request at a time | seconds | requests/s |\n|---|---|---|")
print(f"| POST /Users (create) | {t1 - t0:.1f} | {n / (t1 - t0):,.0f} |")
print(f"| PATCH active=false (terminate, mark seats) | {t2 - t1:.1f} | {n / (t2 - t1):,.0f} |")
