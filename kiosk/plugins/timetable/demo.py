"""The Huaxin center's timetable in the demo: the 夕阳美老年大学's five free classes, the 银龄幸福之家's and
the 妇女儿童家园's activities, in the autumn term 2026 and the spring term 2027.

The teachers are made-up volunteer names (no real person); the sixth university class is 声乐合唱
(the seed names only four of the five, so we chose choir singing, common in Chinese senior universities).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Course, MakeupDay, Room, SessionChange, Signup, Slot, Teacher, Term

UNIVERSITY = "夕阳美老年大学"
SILVER = "银龄幸福之家"
WOMEN = "妇女儿童家园"

ROOMS = [("舞蹈教室", UNIVERSITY), ("健身活动室", UNIVERSITY), ("书画教室", UNIVERSITY), ("合唱排练厅", UNIVERSITY),
         ("文化娱乐站", SILVER), ("心理疏导站", SILVER), ("多功能厅", WOMEN), ("电子阅览室", WOMEN), ("石大姐手工制作室", WOMEN),
         ("儿童驿站", WOMEN)]
TEACHERS = [("李秀兰老师", "舞蹈"), ("赵建国老师", "健身"), ("孙志明老师", "书法"), ("周文静老师", "绘画"), ("吴海燕老师", "声乐合唱"),
            ("郑立华老师", "舞蹈"), ("王德福老师", "书法"), ("冯丽娟老师", "手工"), ("陈晓峰老师", "智能手机"), ("刘淑芬老师", "太极拳")]
TERMS = [("2026 秋季学期", "autumn-term", date(2026, 9, 7), date(2027, 1, 15)),
         ("2027 春季学期", "spring-term", date(2027, 3, 1), date(2027, 6, 25))]

# name, name_en, organizer, teacher, room, capacity, bring, description, slots (weekday, start, end)
COURSES = [
    ("舞蹈", "Dance", UNIVERSITY, "李秀兰老师", "舞蹈教室", 30, "舒适的平底鞋\n水杯", "民族舞、广场舞基础，动作舒缓，适合初学者。",
     [(1, "09:00", "10:30"), (4, "09:00", "10:30")]),
    ("健身", "Fitness", UNIVERSITY, "赵建国老师", "健身活动室", 25, "运动服、运动鞋\n毛巾", "八段锦和关节保健操，量力而行。",
     [(2, "09:00", "10:30"), (5, "09:00", "10:30")]),
    ("书法", "Calligraphy", UNIVERSITY, "孙志明老师", "书画教室", 20, "毛笔一支\n墨汁\n毛边纸（可在教室领取）",
     "楷书入门，从握笔和基本笔画学起。", [(3, "09:00", "11:00")]),
    ("绘画", "Painting", UNIVERSITY, "周文静老师", "书画教室", 18, "铅笔、橡皮\n水彩颜料（教室可借用）", "国画花鸟与水彩写生。",
     [(3, "14:30", "16:30")]),
    ("声乐合唱", "Choir", UNIVERSITY, "吴海燕老师", "合唱排练厅", 12, "水杯", "发声练习与老歌合唱，准备社区新年联欢会。",
     [(2, "14:30", "16:00"), (5, "14:30", "16:00")]),
    ("太极拳", "Tai chi", SILVER, "刘淑芬老师", "文化娱乐站", 30, "宽松衣服、平底鞋", "银龄幸福之家的二十四式太极拳晨练。",
     [(6, "08:30", "09:30")]),
    ("智能手机课堂", "Smartphone class", SILVER, "陈晓峰老师", "电子阅览室", 15, "自己的手机\n充电器",
     "教您用手机视频通话、扫码、挂号，防范电信诈骗。", [(4, "14:30", "16:00")]),
    ("手工编织", "Handicrafts", WOMEN, "冯丽娟老师", "石大姐手工制作室", 16, "剪刀（可借用）", "石大姐手工制作室的编织与剪纸。",
     [(1, "14:30", "16:30")]),
    ("亲子阅读夜", "Family reading evening", WOMEN, "郑立华老师", "多功能厅", 20, "孩子喜欢的一本书",
     "妇女儿童家园的亲子共读，适合 4–10 岁的孩子和家长、祖辈。", [(3, "19:00", "20:00")]),
]

# A cancelled session with its reason (in the demo week of 30 Nov 2026) and the 调休 Saturday staff chose.
CANCELLED = ("绘画", 3, date(2026, 12, 2), "周老师生病，本次停课，下周照常")
MAKEUP = (date(2026, 10, 10), 3)  # 国庆调休 Saturday follows Wednesday's classes


def load(s: Session) -> None:
    """Create what does not exist yet (staff edits are kept); a second run changes nothing."""
    if s.scalar(select(Term.id).limit(1)) is not None:
        return
    rooms = {}
    for name, place in ROOMS:
        rooms[name] = Room(name=name, place=place)
        s.add(rooms[name])
    teachers = {}
    for name, subject in TEACHERS:
        teachers[name] = Teacher(name=name, subject=subject)
        s.add(teachers[name])
    terms = []
    for name, season, start, end in TERMS:
        terms.append(Term(name=name, season=season, start=start, end=end))
        s.add(terms[-1])
    s.flush()
    slots_by_course: dict[str, list[Slot]] = {}
    for term in terms:
        for name, name_en, organizer, teacher, room, capacity, bring, description, weekly in COURSES:
            course = Course(term_id=term.id, name=name, name_en=name_en, organizer=organizer, teacher_id=teachers[teacher].id,
                            room_id=rooms[room].id, capacity=capacity, bring=bring, description=description, active=True, last_seq=0)
            s.add(course)
            s.flush()
            slots = [Slot(course_id=course.id, weekday=w, start=a, end=b) for w, a, b in weekly]
            s.add_all(slots)
            s.flush()
            if term is terms[0]:
                slots_by_course[name] = slots
                # Sign-ups so the kiosk looks alive: the choir is full with two waiting.
                wanted = {"声乐合唱": 14, "书法": 9, "舞蹈": 21, "健身": 11, "绘画": 6}.get(name, 3)
                for i in range(wanted):
                    course.last_seq += 1
                    state = "enrolled" if i < capacity else "waitlisted"
                    s.add(Signup(course_id=course.id, phone=f"1390538{course.id:02d}{i:02d}", surname="王李张刘陈杨赵黄周吴"[i % 10],
                                 state=state, seq=course.last_seq, terminal="demo"))
    name, weekday, day, reason = CANCELLED
    slot = next(x for x in slots_by_course[name] if x.weekday == weekday)
    s.add(SessionChange(slot_id=slot.id, day=day, action="cancelled", reason=reason, by="demo"))
    s.add(MakeupDay(term_id=terms[0].id, day=MAKEUP[0], follows_weekday=MAKEUP[1], by="demo"))
