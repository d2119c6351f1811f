"""动态管理: 脱贫退出 of households (两不愁三保障), 退保 and 纳入 queues."""

from django.urls import path

from exits.views import adjustment, dibao, exit, queues, worklist

app_name = "exits"
urlpatterns = [
    path("", worklist.index, name="index"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("adjustment/", adjustment.adjustment_view, name="adjustment"),
    path("households/<int:pk>/propose/", worklist.propose, name="propose"),
    path("queue/", queues.queue, name="queue"),
    path("notices/", queues.notices, name="notices"),
    path("<int:pk>/", exit.exit_detail, name="exit"),
    path("<int:pk>/signed-form/", exit.signed_form, name="signed_form"),
    path("<int:pk>/<slug:step>/", exit.exit_step, name="step"),
    path("dibao/", dibao.dibao_queue, name="dibao"),
    path("dibao/<int:pk>/decide/", dibao.dibao_decide, name="dibao_decide"),
]
