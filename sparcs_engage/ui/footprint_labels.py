"""The footprint page's labels: an English msgid for every answer id, category and action of
``sparcs_engage.footprint`` (translated by the page with the visitor's translator)."""

from sparcs_engage.i18n import N_

HOME_TYPE = {
    "apartment": N_("Flat in a block of flats"),
    "terraced": N_("Terraced or semi-detached house"),
    "detached": N_("Detached house"),
}
HEATING = {
    "district_heat": N_("District heating"),
    "heat_pump": N_("Heat pump"),
    "oil": N_("Oil boiler"),
    "gas": N_("Gas boiler"),
    "direct_electric": N_("Electric radiators"),
    "wood": N_("Wood or pellets"),
}
CAR_FUEL = {
    "none": N_("I don't drive a car"),
    "petrol": N_("Petrol"),
    "diesel": N_("Diesel"),
    "hybrid": N_("Hybrid"),
    "electric": N_("Electric"),
}
DIET = {
    "vegan": N_("Vegan"),
    "vegetarian": N_("Vegetarian"),
    "flexitarian": N_("Mostly vegetarian, sometimes meat or fish"),
    "average": N_("Mixed, meat a few times a week"),
    "meat_heavy": N_("Meat almost every day"),
}
FOOD_WASTE = {
    "low": N_("Hardly any"),
    "average": N_("Some"),
    "high": N_("Quite a lot"),
}
SPENDING = {
    "low": N_("Less than most: I buy little and often second-hand"),
    "average": N_("About average"),
    "high": N_("More than most: I like new things, gadgets and services"),
}
CATEGORY = {
    "housing": N_("Housing"),
    "mobility": N_("Getting around"),
    "food": N_("Food"),
    "goods_services": N_("Goods and services"),
}
ACTION = {
    "green_electricity": N_("Switch to green electricity"),
    "heat_pump": N_("Heat your home with a heat pump"),
    "car_free_days": N_("Leave the car at home one day in five"),
    "electric_car": N_("Make your next car an electric one"),
    "vegetarian_diet": N_("Eat vegetarian"),
    "vegan_diet": N_("Eat vegan"),
    "one_long_flight_less": N_("Take one long-haul flight less a year"),
    "one_short_flight_less": N_("Take one short flight less a year"),
    "less_food_waste": N_("Throw away less food"),
    "lower_spending": N_("Buy less new, and more second-hand"),
}
COUNTRY_AVERAGE = {
    "FI": N_("the average resident of Finland"),
    "DE": N_("the average resident of Germany"),
}
RELATION = {
    "less": N_("{share} less than {average} ({amount})"),
    "more": N_("{share} more than {average} ({amount})"),
    "same": N_("about the same as {average} ({amount})"),
}
AVERAGE_LABEL = {"FI": N_("Average in Finland"), "DE": N_("Average in Germany")}
