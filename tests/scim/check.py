"""Run the independent SCIM compliance checker scim2-tester against a running Seatwise server.

Usage: python check.py BASE_URL SCIM_TOKEN. Prints one line per check and a closing 'N passed, N failed' line;
exits non-zero when any check fails.
"""
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    http = Client(base_url=f"{base}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    client.discover()
    results = check_server(client)
    passed = failed = 0
    for r in results:
        ok = r.status == Status.SUCCESS or r.status.name == "SKIPPED"
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {r.status.name:<8} {r.title}: {r.reason or ''}")
    print(f"scim2-tester: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
