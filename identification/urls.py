from django.urls import path

from identification import decomposition_views
from identification.deep_poverty import views as deep_poverty
from identification.poor_villages import views as poor_villages
from identification.views import applications, county, meetings, notices, samples

app_name = "identification"
urlpatterns = [
    path("", applications.index, name="index"),
    path("applications/", applications.application_list, name="applications"),
    path("applications/new/", applications.application_create, name="application_create"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/survey/", applications.survey, name="survey"),
    path("applications/<int:pk>/decide/", applications.application_decide, name="decide"),
    path("applications/<int:pk>/offer-dibao/", applications.offer_dibao, name="offer_dibao"),
    path("applications/<int:pk>/scan/", applications.application_scan, name="application_scan"),
    path("applications/<int:pk>/<slug:action>/", applications.application_action, name="application_action"),
    path("meetings/new/<slug:kind>/<str:code>/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("township/", samples.township_queue, name="township_queue"),
    path("villages/<str:code>/sample/", samples.township_sample, name="township_sample"),
    path("spot-checks/<int:pk>/record/", samples.spot_check_record, name="spot_check_record"),
    path("spot-checks/<int:pk>/verify/", samples.village_verify, name="village_verify"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/new/<slug:level>/<str:code>/", notices.notice_create, name="notice_create"),
    path("county/", county.county_progress, name="county_progress"),
    path("county/sample/", samples.county_sample, name="county_sample"),
    path("county/confirm/", county.county_confirm, name="county_confirm"),
    path("announcement/", county.announcement, name="announcement"),
    path("referrals/", county.referrals, name="referrals"),
    path("rounds/", county.round_list, name="rounds"),
    path("rounds/<int:pk>/close/", county.round_close, name="round_close"),
    path("rounds/<int:pk>/quotas/", county.quotas, name="quotas"),
    path("rounds/<int:pk>/quotas/import/", county.quota_import, name="quota_import"),
    # 规模分解 and the 贫困人口分解表 (decomposition_views)
    path("rounds/<int:pk>/decompositions/", decomposition_views.decomposition_list, name="decompositions"),
    path(
        "rounds/<int:pk>/decompositions/indicators/",
        decomposition_views.decomposition_indicators,
        name="decomposition_indicators",
    ),
    path(
        "rounds/<int:pk>/decompositions/indicators/import/",
        decomposition_views.decomposition_indicator_import,
        name="decomposition_indicator_import",
    ),
    path("decompositions/<int:pk>/", decomposition_views.decomposition_detail, name="decomposition"),
    path(
        "decompositions/<int:pk>/status/",
        decomposition_views.decomposition_status,
        name="decomposition_status",
    ),
    path(
        "decompositions/<int:pk>/rerun/", decomposition_views.decomposition_rerun, name="decomposition_rerun"
    ),
    path(
        "decompositions/<int:pk>/apply/", decomposition_views.decomposition_apply, name="decomposition_apply"
    ),
    path("rounds/<int:pk>/quota-table/", decomposition_views.quota_table_view, name="quota_table"),
    path("rounds/<int:pk>/quota-table/xlsx/", decomposition_views.quota_table_xlsx, name="quota_table_xlsx"),
    # 贫困村识别 (identification.poor_villages)
    path("poor-villages/", poor_villages.run_list, name="poor_village_runs"),
    path("poor-villages/settings/", poor_villages.settings_view, name="poor_village_settings"),
    path("poor-villages/<int:pk>/", poor_villages.run_detail, name="poor_village_run"),
    path("poor-villages/<int:pk>/status/", poor_villages.run_status, name="poor_village_run_status"),
    path("poor-villages/<int:pk>/mark/", poor_villages.run_mark, name="poor_village_mark"),
    path("poor-villages/<int:pk>/retry/", poor_villages.run_retry, name="poor_village_retry"),
    # 深度贫困 (identification.deep_poverty)
    path("rounds/<int:pk>/deep-poverty/", deep_poverty.deep_poverty, name="deep_poverty"),
    path(
        "rounds/<int:pk>/deep-poverty/criteria/",
        deep_poverty.deep_poverty_criteria,
        name="deep_poverty_criteria",
    ),
    path(
        "rounds/<int:pk>/deep-poverty/confirm/",
        deep_poverty.deep_poverty_confirm,
        name="deep_poverty_confirm",
    ),
]
