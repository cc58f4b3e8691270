from django.urls import path

from . import views

app_name = "partnerships"

W = "challenges/<int:pk>/workspace/"

urlpatterns = [
    path(W, views.workspace, name="workspace"),
    path(f"{W}messages/", views.messages_section, name="workspace-messages"),
    path(f"{W}documents/", views.documents_section, name="workspace-documents"),
    path(f"{W}contact-persons/", views.contact_persons_section, name="workspace-contact-persons"),
    path(f"{W}agreement/", views.agreement_section, name="workspace-agreement"),
    path(f"{W}milestones/", views.milestones_section, name="workspace-milestones"),
    path(f"{W}knots/", views.knots_section, name="workspace-knots"),
    path(f"{W}timeline/", views.timeline_section, name="workspace-timeline"),
    path(f"{W}organisation/", views.organisation, name="organisation"),
    path(f"{W}contact-persons/<str:side>/", views.contact_person, name="contact-person"),
    path(f"{W}agreement/draft/", views.agreement_draft, name="agreement-draft"),
    path(f"{W}agreement/v<int:number>/", views.agreement_version, name="agreement-version"),
    path(f"{W}agreement/v<int:number>/propose/", views.agreement_propose, name="agreement-propose"),
    path(f"{W}agreement/v<int:number>/sign/", views.agreement_sign, name="agreement-sign"),
    path(f"{W}milestones/new/", views.milestone_new, name="milestone-new"),
    path(f"{W}milestones/<int:milestone_id>/", views.milestone_edit, name="milestone-edit"),
    path(f"{W}reflections/", views.reflections, name="reflections"),
    path(
        f"{W}reflections/<int:round_id>/answer/",
        views.reflection_answer,
        name="reflection-answer",
    ),
    path(f"{W}knots/new/", views.knot_new, name="knot-new"),
    path(f"{W}knots/<int:knot_id>/resolve/", views.knot_resolve, name="knot-resolve"),
    path(f"{W}messages/new/", views.message_new, name="message-new"),
    path(f"{W}documents/new/", views.document_upload, name="document-upload"),
    path(
        f"{W}documents/<int:document_id>/download/",
        views.document_download,
        name="document-download",
    ),
    path("challenges/<int:pk>/progress/", views.public_progress, name="progress"),
    path("knots/", views.knot_overview, name="knots"),
]
