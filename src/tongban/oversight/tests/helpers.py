import json


def post(client, path, body=None, **headers):
    return client.post(path, data=json.dumps(body if body is not None else {}), content_type="application/json",
                       headers=headers)
