from steward.assurance.areas import Area, Rating


def test_the_seven_ico_audit_areas_each_have_a_title() -> None:
    assert len(Area) == 7
    assert Area.REQUESTS.label == "Requests for personal data"


def test_the_scale_has_four_points_best_first() -> None:
    assert next(r.label for r in Rating) == "High assurance"
    assert len(Rating) == 4
