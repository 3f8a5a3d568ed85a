"""A valid kiosk submission to start tests from."""


def form(**over) -> dict:
    base = {"category": "repair", "problem": "楼道灯不亮", "building": "12", "unit": "2", "phone": "13812341234"}
    return base | over
