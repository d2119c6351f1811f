"""动态管理: 脱贫退出 of households (两不愁三保障), 退保 and 纳入 queues, 贫困村退出, 年度动态调整."""

from django.urls import path

from exits.views import adjustment, dibao, exit, queues, worklist
from exits.village_exits import views as village_exits

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
    # 贫困村退出 (exits.village_exits)
    path("poor-villages/", village_exits.village_exits, name="village_exits"),
    path("poor-villages/standard/", village_exits.standard_view, name="village_exit_settings"),
    path("poor-villages/report.xlsx", village_exits.report_xlsx, name="village_exits_xlsx"),
    path("poor-villages/publish/", village_exits.publish, name="village_exit_publish"),
    path("poor-villages/<str:code>/propose/", village_exits.propose, name="village_exit_propose"),
    path("poor-villages/exits/<int:pk>/", village_exits.exit_detail, name="village_exit"),
    path("poor-villages/exits/<int:pk>/decide/", village_exits.decide, name="village_exit_decide"),
]
