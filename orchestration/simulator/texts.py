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

# Tone templates without a theme: {r} is the reason phrase. Some negative ones span two lines,
# as real verbatims do (quoted newlines in the CSV). They raise none of THEMES: a verbatim's
# themes are the THEME_PHRASES it is made of (planted, in truth/verbatim_themes.csv).
VERBATIMS: dict[str, dict[str, list[str]]] = {
    "en": {
        "positive": ["Quick answer about {r}, thank you!", "Sorted {r} in minutes."],
        "neutral": ["It was OK, {r} is done now.", "Fine in the end, {r} is done."],
        "negative": [
            "Still nothing done about {r}.\nNot happy.",
            "Third time I contact you about {r}. Very disappointed.",
        ],
    },
    "lv": {
        "positive": ["Ātri atrisināja {r}, paldies!", "Viss kārtībā ar {r}."],
        "neutral": ["Normāli, {r} aizņēma laiku.", "Beigās {r} atrisināja."],
        "negative": [
            "Par {r} joprojām nekas nav atrisināts.\nĻoti neapmierināts.",
            "Jau trešo reizi zvanu par {r}. Ļoti vīlies.",
        ],
    },
    "ru": {
        "positive": ["Быстро решили вопрос про {r}, спасибо!", "Всё решили про {r} за минуты."],
        "neutral": ["Нормально, {r} заняло время.", "В итоге {r} решили."],
        "negative": [
            "Вопрос про {r} так и не решён.\nОчень недоволен.",
            "Уже третий раз обращаюсь про {r}. Очень разочарован.",
        ],
    },
    "lt": {
        "positive": ["Greitai sutvarkė {r}, ačiū!", "Viskas sutvarkyta dėl {r}."],
        "neutral": ["Normaliai, {r} užtruko.", "Galiausiai {r} išspręsta."],
        "negative": [
            "Dėl {r} vis dar neišspręsta.\nLabai nepatenkintas.",
            "Jau trečią kartą kreipiuosi dėl {r}. Labai nusivylęs.",
        ],
    },
    "hy": {
        "positive": ["Արագ լուծեցին {r} հարցը, շնորհակալություն:"],
        "neutral": ["Նորմալ էր, {r} երկար տևեց:"],
        "negative": ["Իմ {r} հարցը դեռ լուծված չէ:\nՇատ դժգոհ եմ:"],
    },
    "zh": {
        "positive": ["关于{r}的事很快就办好了，谢谢！"],
        "neutral": ["还可以，{r}花了一些时间。"],
        "negative": ["{r}的事到现在还没解决。", "第三次联系你们关于{r}，非常失望。"],
    },
}

# The themes a simulated verbatim can raise (the warehouse's seeds/voc_themes.csv knows them by
# the same codes), and per language two wordings of each.
THEMES = (
    "billing_error",
    "long_wait",
    "rude_agent",
    "helpful_agent",
    "delivery_delay",
    "app_website_problem",
    "cancellation_intent",
    "price",
)
THEME_PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "billing_error": ("You charged me twice this month.", "My bill is wrong again."),
        "long_wait": ("I was on hold for ages.", "Waited forty minutes in the queue."),
        "rude_agent": ("The agent was rude.", "Your agent was condescending and unfriendly."),
        "helpful_agent": ("The agent was very helpful.", "Really friendly and patient staff."),
        "delivery_delay": ("My order is late again.", "The parcel never arrived."),
        "app_website_problem": ("The app keeps crashing.", "I can't log in on the website."),
        "cancellation_intent": ("I want to cancel.", "Thinking of switching to another provider."),
        "price": ("It is too expensive.", "The price went up again."),
    },
    "lv": {
        "billing_error": ("Rēķinā ir kļūda.", "Naudu noņēma divreiz."),
        "long_wait": ("Ilgi gaidīju rindā.", "Gaidīju pusstundu uz līnijas."),
        "rude_agent": ("Operators bija rupjš.", "Ļoti nepieklājīga attieksme."),
        "helpful_agent": ("Konsultante bija ļoti laipna.", "Darbinieks bija izpalīdzīgs."),
        "delivery_delay": ("Piegāde kavējas.", "Sūtījums vēl nav pienācis."),
        "app_website_problem": ("Lietotne nestrādā.", "Nevaru pieslēgties mājaslapā."),
        "cancellation_intent": ("Gribu atteikties no pakalpojuma.", "Lauzīšu līgumu."),
        "price": ("Pārāk dārgi.", "Cenas atkal pieauga."),
    },
    "ru": {
        "billing_error": ("Деньги списали дважды.", "В счёте ошибка."),
        "long_wait": ("Очень долго ждал на линии.", "Полчаса в очереди."),
        "rude_agent": ("Оператор был груб.", "Хамское отношение."),
        "helpful_agent": ("Оператор был очень вежлив.", "Спасибо консультанту за терпение."),
        "delivery_delay": ("Доставка задерживается.", "Курьер так и не приехал."),
        "app_website_problem": ("Приложение вылетает.", "Не могу войти в личный кабинет."),
        "cancellation_intent": ("Хочу расторгнуть договор.", "Перейду к другому провайдеру."),
        "price": ("Слишком дорого.", "Цены опять выросли."),
    },
    "lt": {
        "billing_error": ("Sąskaitoje klaida.", "Pinigus nuskaičiavo dukart."),
        "long_wait": ("Ilgai laukiau eilėje.", "Laukiau pusvalandį."),
        "rude_agent": ("Operatorius buvo grubus.", "Labai nemandagus aptarnavimas."),
        "helpful_agent": ("Konsultantė buvo labai mandagi.", "Ačiū konsultantui už kantrybę."),
        "delivery_delay": ("Pristatymas vėluoja.", "Siuntinio vis dar negavau."),
        "app_website_problem": ("Programėlė neveikia.", "Negaliu prisijungti prie paskyros."),
        "cancellation_intent": ("Noriu nutraukti sutartį.", "Atsisakysiu jūsų paslaugų."),
        "price": ("Per brangu.", "Kainos vėl pakilo."),
    },
    "hy": {
        "billing_error": ("Հաշվում սխալ կա:", "Երկու անգամ գանձել են:"),
        "long_wait": ("Երկար սպասեցի հերթում:", "Կես ժամ սպասեցի:"),
        "rude_agent": ("Օպերատորը կոպիտ էր:", "Շատ անքաղաքավարի վերաբերմունք:"),
        "helpful_agent": ("Օպերատորը շատ քաղաքավարի էր:", "Աշխատակիցը սիրալիր էր:"),
        "delivery_delay": ("Առաքումը ուշանում է:", "Դեռ չեմ ստացել պատվերը:"),
        "app_website_problem": ("Հավելվածը չի աշխատում:", "Կայքը չի բացվում:"),
        "cancellation_intent": ("Ուզում եմ չեղարկել:", "Կանցնեմ այլ ընկերության:"),
        "price": ("Շատ թանկ է:", "Գները նորից բարձրացել են:"),
    },
    "zh": {
        "billing_error": ("被扣了两次钱。", "账单有误。"),
        "long_wait": ("等了很久才有人接。", "排队排了半个小时。"),
        "rude_agent": ("客服态度很差。", "客服很不耐烦。"),
        "helpful_agent": ("客服非常耐心。", "客服很热情。"),
        "delivery_delay": ("快递还没到。", "配送延迟了。"),
        "app_website_problem": ("APP一直闪退。", "无法登录账户。"),
        "cancellation_intent": ("我要退订。", "准备换一家。"),
        "price": ("太贵了。", "又涨价了。"),
    },
}


def verbatim(language: str, tone: str, reason: str, pick: int, themes: int = 0) -> str:
    """A comment: the phrases of its planted themes (a bit mask over THEMES), else a tone
    template about the reason."""
    chosen = [theme for i, theme in enumerate(THEMES) if themes >> i & 1]
    if chosen:
        phrases = THEME_PHRASES[language]
        joiner = "" if language == "zh" else " "
        return joiner.join(phrases[theme][(pick + i) % 2] for i, theme in enumerate(chosen))
    templates = VERBATIMS[language][tone]
    return templates[pick % len(templates)].format(r=REASON_WORDS[language][reason])
