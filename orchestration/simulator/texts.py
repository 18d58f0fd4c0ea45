"""Names and survey verbatims in the customers' languages (en, lv, ru, lt, hy, zh)."""

from __future__ import annotations

# (native first name, native last name, latin handle for the e-mail address)
NAMES: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        ("Olivia", "Smith", "olivia.smith"),
        ("James", "Brown", "james.brown"),
        ("Amelia", "Jones", "amelia.jones"),
        ("Noah", "Taylor", "noah.taylor"),
        ("Isla", "O'Neill", "isla.oneill"),
        ("Jack", "Wilson", "jack.wilson"),
    ],
    "lv": [
        ("Jānis", "Bērziņš", "janis.berzins"),
        ("Anna", "Kalniņa", "anna.kalnina"),
        ("Mārtiņš", "Ozols", "martins.ozols"),
        ("Līga", "Liepiņa", "liga.liepina"),
        ("Andris", "Krūmiņš", "andris.krumins"),
        ("Ilze", "Zariņa", "ilze.zarina"),
    ],
    "ru": [
        ("Иван", "Петров", "ivan.petrov"),
        ("Ольга", "Смирнова", "olga.smirnova"),
        ("Дмитрий", "Кузнецов", "dmitry.kuznetsov"),
        ("Елена", "Попова", "elena.popova"),
        ("Сергей", "Волков", "sergey.volkov"),
        ("Наталья", "Соколова", "natalia.sokolova"),
    ],
    "lt": [
        ("Jonas", "Kazlauskas", "jonas.kazlauskas"),
        ("Rūta", "Jankauskienė", "ruta.jank"),
        ("Tomas", "Petrauskas", "tomas.petrauskas"),
        ("Eglė", "Vasiliauskaitė", "egle.vas"),
        ("Mantas", "Žukauskas", "mantas.zukauskas"),
        ("Gintarė", "Butkutė", "gintare.butkute"),
    ],
    "hy": [
        ("Արամ", "Սարգսյան", "aram.sargsyan"),
        ("Անի", "Հովհաննիսյան", "ani.hovhannisyan"),
        ("Դավիթ", "Գրիգորյան", "davit.grigoryan"),
        ("Մարիամ", "Պետրոսյան", "mariam.petrosyan"),
        ("Տիգրան", "Մկրտչյան", "tigran.mkrtchyan"),
        ("Նարե", "Հարությունյան", "nare.harutyunyan"),
    ],
    "zh": [
        ("伟", "王", "wang.wei"),
        ("芳", "李", "li.fang"),
        ("磊", "张", "zhang.lei"),
        ("静", "刘", "liu.jing"),
        ("洋", "陈", "chen.yang"),
        ("敏", "杨", "yang.min"),
    ],
}

COUNTRIES: dict[str, tuple[str, str]] = {  # language -> (country, phone country code)
    "en": ("GB", "44"),
    "lv": ("LV", "371"),
    "ru": ("LV", "371"),
    "lt": ("LT", "370"),
    "hy": ("AM", "374"),
    "zh": ("CN", "86"),
}

REASON_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "billing": "my bill",
        "delivery": "the delivery",
        "technical": "the technical problem",
        "account": "my account",
        "cancellation": "cancelling",
        "sales_question": "the offer",
    },
    "lv": {
        "billing": "rēķinu",
        "delivery": "piegādi",
        "technical": "tehnisko problēmu",
        "account": "kontu",
        "cancellation": "atteikšanos",
        "sales_question": "piedāvājumu",
    },
    "ru": {
        "billing": "счёт",
        "delivery": "доставку",
        "technical": "техническую проблему",
        "account": "аккаунт",
        "cancellation": "отмену",
        "sales_question": "предложение",
    },
    "lt": {
        "billing": "sąskaitą",
        "delivery": "pristatymą",
        "technical": "techninę problemą",
        "account": "paskyrą",
        "cancellation": "atšaukimą",
        "sales_question": "pasiūlymą",
    },
    "hy": {
        "billing": "հաշիվը",
        "delivery": "առաքումը",
        "technical": "տեխնիկական խնդիրը",
        "account": "հաշիվս",
        "cancellation": "չեղարկումը",
        "sales_question": "առաջարկը",
    },
    "zh": {
        "billing": "账单",
        "delivery": "配送",
        "technical": "技术问题",
        "account": "账户",
        "cancellation": "取消",
        "sales_question": "优惠",
    },
}

# Tone templates: {r} is the reason phrase. Some negative ones span two lines, as real
# verbatims do (quoted newlines in the CSV).
VERBATIMS: dict[str, dict[str, list[str]]] = {
    "en": {
        "positive": ["Quick and friendly help with {r}, thank you!", "Sorted {r} in minutes."],
        "neutral": ["It was OK, {r} took a while.", "Fine in the end, {r} is done."],
        "negative": [
            "Waited far too long about {r}.\nStill not fixed.",
            "Third time I contact you about {r}. Very disappointed.",
        ],
    },
    "lv": {
        "positive": ["Ātri un laipni palīdzēja ar {r}, paldies!", "Viss kārtībā ar {r}."],
        "neutral": ["Normāli, {r} aizņēma laiku.", "Beigās {r} atrisināja."],
        "negative": [
            "Pārāk ilgi gaidīju par {r}.\nJoprojām nav atrisināts.",
            "Jau trešo reizi zvanu par {r}. Ļoti vīlies.",
        ],
    },
    "ru": {
        "positive": [
            "Быстро и вежливо помогли с вопросом про {r}, спасибо!",
            "Всё решили про {r} за минуты.",
        ],
        "neutral": ["Нормально, {r} заняло время.", "В итоге {r} решили."],
        "negative": [
            "Слишком долго ждал насчёт {r}.\nДо сих пор не решено.",
            "Уже третий раз обращаюсь про {r}. Очень разочарован.",
        ],
    },
    "lt": {
        "positive": ["Greitai ir maloniai padėjo dėl {r}, ačiū!", "Viskas sutvarkyta dėl {r}."],
        "neutral": ["Normaliai, {r} užtruko.", "Galiausiai {r} išspręsta."],
        "negative": [
            "Per ilgai laukiau dėl {r}.\nVis dar neišspręsta.",
            "Jau trečią kartą kreipiuosi dėl {r}. Labai nusivylęs.",
        ],
    },
    "hy": {
        "positive": ["Արագ և սիրալիր օգնեցին {r} հարցում, շնորհակալություն:"],
        "neutral": ["Նորմալ էր, {r} երկար տևեց:"],
        "negative": ["Շատ երկար սպասեցի {r} հարցով:\nԴեռ լուծված չէ:"],
    },
    "zh": {
        "positive": ["关于{r}的帮助又快又友好，谢谢！"],
        "neutral": ["还可以，{r}花了一些时间。"],
        "negative": ["{r}的问题等了太久。\n到现在还没解决。", "第三次联系你们关于{r}，非常失望。"],
    },
}


def verbatim(language: str, tone: str, reason: str, pick: int) -> str:
    templates = VERBATIMS[language][tone]
    return templates[pick % len(templates)].format(r=REASON_WORDS[language][reason])
