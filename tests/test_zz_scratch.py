from django.urls import reverse
from settings_app.scopes import ScopeRef

def test_x(demo, client_for):
    c = client_for("viewer")
    r = c.get(reverse("cluster_settings", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]))
    open("/tmp/scratch/viewer_settings.html","w").write(r.content.decode())
    c = client_for("tenant-admin")
    r = c.post(reverse("change_cluster_agent_upgrades", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]), {"value":"lock","version":"0"}, HTTP_HX_REQUEST="true")
    open("/tmp/scratch/htmx_post.html","w").write(r.content.decode())
    print(r.status_code, dict(r.headers))
    r = c.get(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))
    open("/tmp/scratch/list.html","w").write(r.content.decode())
    r = c.get(reverse("project_platform_settings", args=[demo.default.pk]))
    open("/tmp/scratch/proj.html","w").write(r.content.decode())
    r = c.get("/scope/?scope=clusters/%d" % demo.default.pk)
    print(r.status_code)
