from tests.conftest import sign_in


def test_coordinator_signs_in_and_sees_home(client, make_person):
    make_person("cora", roles=["coordinator"])
    response = sign_in(client, "cora")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Cora" in page
