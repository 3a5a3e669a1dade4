from hipcare import release


def test_the_cache_prefix_changes_with_a_template_and_nothing_else(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>one</p>")
    (tmp_path / "templates" / "notes.txt").write_text("not part of a release")
    monkeypatch.setattr(release, "ROOT", tmp_path)
    first = release.digest()
    (tmp_path / "templates" / "notes.txt").write_text("changed")
    assert release.digest() == first
    page.write_text("<p>two</p>")
    assert release.digest() != first


def test_the_running_settings_use_it(settings):
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        assert settings.CACHES["default"]["KEY_PREFIX"] == f"hipcare-{release.digest()}"
    else:  # without CACHE_URL there is no shared cache to name
        assert "KEY_PREFIX" not in settings.CACHES["default"]
