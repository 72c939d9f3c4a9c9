"""Signs one request with the oci SDK's own Signer, for the golden tests of pooladmin's
signer. Reads a JSON object from stdin (tenancy, user, fingerprint, key_pem, method, url,
date, body or null) and prints the headers the SDK sends, as JSON."""
import json
import sys

import oci
import requests

spec = json.load(sys.stdin)
signer = oci.signer.Signer(
    spec["tenancy"], spec["user"], spec["fingerprint"], None,
    private_key_content=spec["key_pem"],
)
headers = {"date": spec["date"]}
if spec["body"] is not None:
    headers["content-type"] = "application/json"
request = requests.Request(spec["method"], spec["url"], headers=headers, data=spec["body"]).prepare()
signer(request)
print(json.dumps({k.lower(): v for k, v in request.headers.items()}))
