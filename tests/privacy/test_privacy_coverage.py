"""No app can forget a person's data: every relation to the user model in the
installed models is read by a section of the download and has a deletion rule.

When this fails, a model gained a foreign key (or one-to-one field) to the user: add
a section for it to privacy/exporters.py and say in privacy/services.py `DELETION`
what deleting an account does with it (and do it in `account_delete`)."""

from privacy.exporters import SECTIONS, covered_relations
from privacy.relations import user_relations
from privacy.services import DELETION


def test_every_relation_to_the_user_is_in_the_download():
    missing = user_relations() - covered_relations()
    assert not missing, f"not in the data download: {sorted(missing)}"


def test_every_relation_to_the_user_has_a_deletion_rule():
    missing = user_relations() - set(DELETION)
    assert not missing, f"no deletion rule: {sorted(missing)}"


def test_the_download_and_the_deletion_declare_the_same_relations():
    # A relation only one of them knows is a slip in the other.
    assert covered_relations() == set(DELETION)


def test_the_download_sections_have_unique_keys():
    keys = [section.key for section in SECTIONS]
    assert len(keys) == len(set(keys))
    assert "account" not in keys  # the account object has its own key
