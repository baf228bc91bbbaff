from kepu.core.text import fold, mask_phone, normalise_phone, search_terms


def test_traditional_and_simplified_fold_to_the_same_text():
    assert fold("沙坡頭區科學技術協會") == fold("沙坡头区科学技术协会")


def test_vietnamese_folds_without_diacritics_including_d_stroke():
    assert fold("Phòng, chống dịch COVID-19 Đồng") == "phong, chong dich covid-19 dong"


def test_search_terms_drop_punctuation_and_are_bounded():
    assert search_terms("phòng, chống") == ["phong", "chong"]
    assert len(search_terms("词 " * 1000)) <= 8
    assert search_terms("") == []


def test_phone_masking_keeps_three_and_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_phone_normalisation_drops_spaces_and_the_mainland_prefix():
    assert normalise_phone("+86 138-1234-5678") == "13812345678"


def test_a_vietnamese_date_and_time_writes_the_day_in_lower_case_after_the_time():
    import datetime as dt

    from django.utils import formats, translation

    when = dt.datetime(2026, 12, 7, 5, 0)
    with translation.override("vi"):
        assert formats.date_format(when, "DATETIME_FORMAT") == "05:00 ngày 07 tháng 12 năm 2026"
        assert formats.date_format(when.date(), "DATE_FORMAT") == "Ngày 07 tháng 12 năm 2026"
    with translation.override("zh-hans"):  # other languages keep Django's formats
        assert formats.date_format(when.date(), "DATE_FORMAT") == "2026年12月7日"
