from accounts import two_factor
from accounts.navigation import navigation_for


def navigation(request):
    user = request.user
    # Between the password and the code the session opens nothing: the layout shows no menu then.
    # (is_verified is installed by django-otp's middleware; a request built without it counts as not verified.)
    verified = getattr(user, "is_verified", lambda: False)()
    pending = user.is_authenticated and not verified and two_factor.requires_second_factor(user)
    return {"navigation": [] if pending else navigation_for(user), "second_factor_pending": pending}
