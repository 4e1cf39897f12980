from django.contrib.auth.models import Group


def test_admin_pages_carry_the_portal_name_for_moderators(client, moderator):
    client.force_login(moderator)
    response = client.get("/admin/")
    assert Group.objects.filter(name="Moderators", user=moderator).exists()
    assert "<title>Proposals and programme | Forum Portal moderation</title>" in response.text
    assert "Forum Portal · moderation" in response.text
    assert "Django administration" not in response.text
