"""The footprint pages' labels: an English msgid for every answer id, category, action and
factor of ``sparcs_engage.footprint`` (translated by the page with the visitor's translator)."""

from sparcs_engage.i18n import N_

HOME_TYPE = {
    "apartment": N_("Flat in a block of flats"),
    "terraced": N_("Terraced or semi-detached house"),
    "detached": N_("Detached house"),
}
BUILDING_AGE = {
    "unknown": N_("I don't know"),
    "2010_plus": N_("2010 or later"),
    "1980_2009": N_("1980 to 2009"),
    "pre1980": N_("Before 1980"),
}
HEATING = {
    "district_heat": N_("District heating"),
    "heat_pump": N_("Heat pump"),
    "oil": N_("Oil boiler"),
    "gas": N_("Gas boiler"),
    "direct_electric": N_("Electric radiators"),
    "wood": N_("Wood or pellets"),
}
COTTAGE = {
    "none": N_("No"),
    "summer": N_("Yes, in summer"),
    "year_round": N_("Yes, all year round"),
}
CAR_FUEL = {
    "none": N_("I don't travel by car"),
    "petrol": N_("Petrol"),
    "diesel": N_("Diesel"),
    "hybrid": N_("Hybrid"),
    "electric": N_("Electric"),
}
CAR_SIZE = {
    "unknown": N_("I don't know"),
    "small": N_("Small"),
    "medium": N_("Medium"),
    "large": N_("Large or SUV"),
}
DIET = {
    "vegan": N_("Vegan"),
    "vegetarian": N_("Vegetarian"),
    "flexitarian": N_("Mostly vegetarian, sometimes meat or fish"),
    "average": N_("Mixed, meat a few times a week"),
    "meat_heavy": N_("Meat almost every day"),
}
AMOUNT = {
    "none": N_("None"),
    "less": N_("Less than most"),
    "average": N_("About average"),
    "more": N_("More than most"),
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
    "public_services": N_("Public services"),
}
ACTION = {
    "green_electricity": N_("Switch to green electricity"),
    "heat_pump": N_("Heat your home with a heat pump"),
    "car_free_days": N_("Leave the car at home one day in five"),
    "share_car": N_("Share your car rides with one more person"),
    "smaller_car": N_("Make your next car a smaller one"),
    "electric_car": N_("Make your next car an electric one"),
    "train_not_plane": N_("Take the train instead of one short flight"),
    "vegetarian_diet": N_("Eat vegetarian"),
    "vegan_diet": N_("Eat vegan"),
    "less_cheese": N_("Eat less cheese"),
    "less_dairy": N_("Have less milk, yoghurt and other dairy"),
    "one_long_flight_less": N_("Take one long-haul flight less a year"),
    "one_medium_flight_less": N_("Take one medium-haul flight less a year"),
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
COUNTRY_NAME = {"FI": N_("Finland"), "DE": N_("Germany")}
STATUS = {
    "published": N_("published"),
    "derived": N_("worked out from published figures"),
    "estimate": N_("SPARCS Engage estimate"),
}

# The factor groups of the methodology page, in the file's order, and a label for each key.
FACTOR_GROUPS = {
    "electricity": N_("Electricity"),
    "heat": N_("Heating"),
    "home": N_("Home and building"),
    "car": N_("Car"),
    "transport": N_("Public transport, trains and flights"),
    "food": N_("Food"),
    "goods": N_("Goods, services and public services"),
}
FACTOR_LABEL = {
    "electricity_grid": ("electricity", N_("Electricity from the grid")),
    "electricity_green": ("electricity", N_("Green electricity")),
    "district_heat": ("heat", N_("District heat")),
    "heat_pump_cop": ("heat", N_("Heat pump: heat per kWh of electricity")),
    "direct_electric_efficiency": ("heat", N_("Electric radiators: heat per kWh")),
    "heat_oil": ("heat", N_("Oil boiler")),
    "heat_gas": ("heat", N_("Gas boiler")),
    "heat_wood": ("heat", N_("Wood or pellets")),
    "heat_kwh_per_m2_apartment": ("heat", N_("Typical heat use: flat")),
    "heat_kwh_per_m2_terraced": ("heat", N_("Typical heat use: terraced house")),
    "heat_kwh_per_m2_detached": ("heat", N_("Typical heat use: detached house")),
    "heat_kwh_per_m2_age_2010_plus": ("heat", N_("Typical heat use: built 2010 or later")),
    "heat_kwh_per_m2_age_1980_2009": ("heat", N_("Typical heat use: built 1980 to 2009")),
    "heat_kwh_per_m2_age_pre1980": ("heat", N_("Typical heat use: built before 1980")),
    "electricity_base_kwh_apartment": ("home", N_("Household electricity, flat: fixed part")),
    "electricity_per_person_kwh_apartment": ("home", N_("Household electricity, flat: per person")),
    "electricity_base_kwh_terraced": ("home", N_("Household electricity, terraced: fixed part")),
    "electricity_per_person_kwh_terraced": (
        "home",
        N_("Household electricity, terraced: per person"),
    ),
    "electricity_base_kwh_detached": ("home", N_("Household electricity, detached: fixed part")),
    "electricity_per_person_kwh_detached": (
        "home",
        N_("Household electricity, detached: per person"),
    ),
    "construction_per_m2_year_apartment": ("home", N_("Building a block of flats, per m²")),
    "construction_per_m2_year_house": ("home", N_("Building a house, per m²")),
    "cottage_electricity_kwh_summer": ("home", N_("Summer cottage used in summer: electricity")),
    "cottage_electricity_kwh_year_round": (
        "home",
        N_("Summer cottage used all year: electricity"),
    ),
    "cottage_floor_area_m2": ("home", N_("Summer cottage: floor area")),
    "car_petrol": ("car", N_("Petrol car")),
    "car_diesel": ("car", N_("Diesel car")),
    "car_hybrid": ("car", N_("Hybrid car")),
    "car_electric_kwh_per_km": ("car", N_("Electric car: electricity per km")),
    "car_size_multiplier_small": ("car", N_("Small car compared with the average")),
    "car_size_multiplier_medium": ("car", N_("Medium car compared with the average")),
    "car_size_multiplier_large": ("car", N_("Large car or SUV compared with the average")),
    "car_occupancy_default": ("car", N_("People in a car on average")),
    "public_transport": ("transport", N_("Local public transport")),
    "train_long_distance": ("transport", N_("Long-distance train")),
    "coach": ("transport", N_("Long-distance coach")),
    "flight_short": ("transport", N_("Short return flight (under 1,500\u00a0km one way)")),
    "flight_medium": ("transport", N_("Medium return flight (1,500 to 4,000\u00a0km one way)")),
    "flight_long": ("transport", N_("Long return flight (over 4,000\u00a0km one way)")),
    "diet_vegan": ("food", N_("Vegan diet")),
    "diet_vegetarian": ("food", N_("Vegetarian diet")),
    "diet_flexitarian": ("food", N_("Mostly vegetarian diet")),
    "diet_average": ("food", N_("Mixed diet (the national average)")),
    "diet_meat_heavy": ("food", N_("Diet with meat almost every day")),
    "food_dairy_average": ("food", N_("Milk, yoghurt and other dairy: national average")),
    "food_cheese_average": ("food", N_("Cheese: national average")),
    "food_amount_multiplier_none": ("food", N_("Dairy or cheese: none")),
    "food_amount_multiplier_less": ("food", N_("Dairy or cheese: less than most")),
    "food_amount_multiplier_average": ("food", N_("Dairy or cheese: about average")),
    "food_amount_multiplier_more": ("food", N_("Dairy or cheese: more than most")),
    "food_waste_low": ("food", N_("Food waste: hardly any")),
    "food_waste_average": ("food", N_("Food waste: some")),
    "food_waste_high": ("food", N_("Food waste: quite a lot")),
    "goods_services_low": ("goods", N_("Goods and services: less than most")),
    "goods_services_average": ("goods", N_("Goods and services: about average")),
    "goods_services_high": ("goods", N_("Goods and services: more than most")),
    "public_services": ("goods", N_("Public services and infrastructure")),
}
# The units of data/emission_factors.csv as the methodology page writes them.
UNIT = {
    "kWh heat/kWh el": N_("kWh of heat per kWh of electricity"),
    "kWh heat/m2/a": N_("kWh of heat per m² a year"),
    "kWh/a": N_("kWh a year"),
    "kWh/household/a": N_("kWh per household a year"),
    "kWh/person/a": N_("kWh per person a year"),
    "kWh/vehicle-km": N_("kWh per vehicle-km"),
    "kg CO2e/kWh": N_("kg CO₂e per kWh"),
    "kg CO2e/kWh heat": N_("kg CO₂e per kWh of heat"),
    "kg CO2e/m2/a": N_("kg CO₂e per m² a year"),
    "kg CO2e/person/a": N_("kg CO₂e per person a year"),
    "kg CO2e/pkm": N_("kg CO₂e per passenger-km"),
    "kg CO2e/return flight": N_("kg CO₂e per return flight"),
    "kg CO2e/vehicle-km": N_("kg CO₂e per vehicle-km"),
    "m2": N_("m²"),
    "persons/car": N_("people per car"),
    "x average car": N_("× the average car"),
    "x diet": N_("× the diet"),
    "x national average": N_("× the national average"),
}
