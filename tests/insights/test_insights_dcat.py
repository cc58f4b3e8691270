"""The DCAT catalogue parses as JSON-LD and says what a harvester needs: the catalogue,
its datasets, their distributions with download URL, media type and licence, and the
publisher from settings.MUNICIPALITY."""

import pytest
from django.urls import reverse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

DCAT = Namespace("http://www.w3.org/ns/dcat#")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph(client):
    response = client.get(reverse("insights:catalog"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return Graph().parse(data=response.content.decode(), format="json-ld")


def _absolute(settings, name):
    return URIRef(settings.SITE_URL + reverse(name))


def test_one_catalogue_with_three_datasets(graph):
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    datasets = set(graph.objects(catalogues[0], DCAT.dataset))
    assert len(datasets) == 3
    assert datasets == set(graph.subjects(RDF.type, DCAT.Dataset))


def test_every_distribution_has_url_media_type_and_licence(graph, settings):
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == 2 + 2 + 4
    for distribution in distributions:
        assert (distribution, DCAT.downloadURL, None) in graph
        assert (distribution, DCAT.mediaType, None) in graph
        assert (distribution, DCTERMS.license, CC0) in graph
    urls = set(graph.objects(None, DCAT.downloadURL))
    for name in (
        "insights:challenges-csv",
        "insights:challenges-json",
        "challenges:log-export-csv",
        "challenges:log-export-json",
    ):
        assert _absolute(settings, name) in urls
    csv_type = URIRef("https://www.iana.org/assignments/media-types/text/csv")
    download = _absolute(settings, "insights:challenges-csv")
    (challenges_csv,) = graph.subjects(DCAT.downloadURL, download)
    assert (challenges_csv, DCAT.mediaType, csv_type) in graph


def test_publisher_comes_from_the_settings(graph, settings):
    publisher = URIRef(settings.MUNICIPALITY["website"])
    assert (publisher, FOAF.name, Literal(settings.MUNICIPALITY["name"])) in graph
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert (dataset, DCTERMS.publisher, publisher) in graph
        assert (dataset, DCTERMS.title, None) in graph
        titles = {title.language for title in graph.objects(dataset, DCTERMS.title)}
        assert titles == {"nl", "en"}


def test_licence_follows_the_setting(client, settings):
    settings.OPEN_DATA_LICENSE = "https://example.org/our-licence"
    response = client.get(reverse("insights:catalog"))
    graph = Graph().parse(data=response.content.decode(), format="json-ld")
    ours = URIRef("https://example.org/our-licence")
    assert len(list(graph.subjects(DCTERMS.license, ours))) == 1 + 3 + 8


def test_licence_default_is_cc0(settings):
    from insights.opendata import open_license

    assert settings.OPEN_DATA_LICENSE == "CC0-1.0"
    assert open_license().url == str(CC0)
