import pytest


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/organisations/a/b", "/api/v2/organisations", "/api/"])
def test_unknown_api_paths_answer_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"] == "Not found."
