urlpatterns = []
app_name="challenges"
