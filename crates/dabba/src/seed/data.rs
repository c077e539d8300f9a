//! Word lists for a plausible Indian city: cuisines with their dishes (veg flag, price band in
//! rupees), restaurant and person names, neighbourhoods.

/// A cuisine: name, dishes `(name, is_veg)`, typical dish price range in rupees, cost for two.
pub struct Cuisine {
    pub name: &'static str,
    pub dishes: &'static [(&'static str, bool)],
    pub price: (u32, u32),
    pub cost_for_two: (u32, u32),
    pub suffixes: &'static [&'static str],
}

pub const CUISINES: &[Cuisine] = &[
    Cuisine {
        name: "North Indian",
        dishes: &[("Paneer Butter Masala", true), ("Dal Makhani", true), ("Butter Chicken", false), ("Chicken Tikka", false),
                  ("Garlic Naan", true), ("Tandoori Roti", true), ("Chole Bhature", true), ("Kadai Paneer", true),
                  ("Jeera Rice", true), ("Malai Kofta", true), ("Mutton Rogan Josh", false), ("Aloo Paratha", true)],
        price: (60, 380), cost_for_two: (300, 800), suffixes: &["Dhaba", "Punjabi Rasoi", "Tandoor House", "Darbar"],
    },
    Cuisine {
        name: "South Indian",
        dishes: &[("Masala Dosa", true), ("Idli Vada", true), ("Rava Dosa", true), ("Ven Pongal", true), ("Onion Uttapam", true),
                  ("Filter Coffee", true), ("Set Dosa", true), ("Bisi Bele Bath", true), ("Curd Rice", true), ("Medu Vada", true),
                  ("Mysore Masala Dosa", true), ("Kesari Bath", true)],
        price: (40, 160), cost_for_two: (150, 400), suffixes: &["Tiffins", "Dosa Corner", "Udupi Grand", "Bhavan"],
    },
    Cuisine {
        name: "Biryani",
        dishes: &[("Chicken Dum Biryani", false), ("Mutton Biryani", false), ("Veg Biryani", true), ("Egg Biryani", false),
                  ("Hyderabadi Chicken Biryani", false), ("Paneer Biryani", true), ("Onion Raita", true), ("Mirchi ka Salan", true),
                  ("Chicken 65", false), ("Donne Biryani", false), ("Prawn Biryani", false), ("Kebab Platter", false)],
        price: (90, 420), cost_for_two: (350, 900), suffixes: &["Biryani House", "Biryani Point", "Dum Pukht", "Nawabi Kitchen"],
    },
    Cuisine {
        name: "Chinese",
        dishes: &[("Veg Hakka Noodles", true), ("Chicken Fried Rice", false), ("Gobi Manchurian", true), ("Chilli Chicken", false),
                  ("Veg Spring Rolls", true), ("Schezwan Noodles", true), ("Hot and Sour Soup", true), ("Chicken Momos", false),
                  ("Chilli Paneer", true), ("Dragon Chicken", false), ("Veg Momos", true), ("Burnt Garlic Rice", true)],
        price: (110, 340), cost_for_two: (300, 700), suffixes: &["Wok", "Dragon House", "Noodle Bar", "Chinese Corner"],
    },
    Cuisine {
        name: "Pizza",
        dishes: &[("Margherita Pizza", true), ("Farmhouse Pizza", true), ("Pepperoni Pizza", false), ("Paneer Tikka Pizza", true),
                  ("Penne Arrabbiata", true), ("Garlic Bread", true), ("Alfredo Pasta", true), ("BBQ Chicken Pizza", false),
                  ("Tiramisu", true), ("Bruschetta", true), ("Four Cheese Pizza", true), ("Chicken Lasagne", false)],
        price: (150, 550), cost_for_two: (400, 1200), suffixes: &["Pizzeria", "Slice Co.", "Wood Fire", "Trattoria"],
    },
    Cuisine {
        name: "Fast Food",
        dishes: &[("Classic Veg Burger", true), ("Crispy Chicken Burger", false), ("French Fries", true), ("Peri Peri Fries", true),
                  ("Chicken Nuggets", false), ("Cheese Burger", true), ("Veg Wrap", true), ("Chicken Wrap", false),
                  ("Cold Coffee", true), ("Chocolate Shake", true), ("Loaded Nachos", true), ("Hot Dog", false)],
        price: (80, 300), cost_for_two: (250, 600), suffixes: &["Burger Joint", "Grill", "Express", "Snack Shack"],
    },
    Cuisine {
        name: "Desserts",
        dishes: &[("Gulab Jamun", true), ("Rasmalai", true), ("Chocolate Brownie", true), ("Death by Chocolate", true),
                  ("Malai Kulfi", true), ("Gajar Halwa", true), ("Red Velvet Pastry", true), ("Blueberry Cheesecake", true),
                  ("Rasgulla", true), ("Royal Falooda", true), ("Mango Mousse", true), ("Kaju Katli", true)],
        price: (60, 260), cost_for_two: (200, 500), suffixes: &["Sweets", "Dessert Bar", "Mithai Mahal", "Creamery"],
    },
    Cuisine {
        name: "Street Food",
        dishes: &[("Pav Bhaji", true), ("Pani Puri", true), ("Vada Pav", true), ("Sev Puri", true), ("Dahi Puri", true),
                  ("Masala Puri", true), ("Samosa Chaat", true), ("Pyaaz Kachori", true), ("Bhel Puri", true), ("Aloo Tikki", true),
                  ("Egg Roll", false), ("Chicken Kathi Roll", false)],
        price: (40, 180), cost_for_two: (150, 350), suffixes: &["Chaat Corner", "Chaat House", "Street Bites", "Thela"],
    },
    Cuisine {
        name: "Kerala",
        dishes: &[("Appam with Stew", true), ("Kerala Parotta", true), ("Meen Curry", false), ("Beef Fry", false), ("Puttu Kadala", true),
                  ("Malabar Chicken Biryani", false), ("Prawn Roast", false), ("Avial", true), ("Palada Payasam", true),
                  ("Chicken Stew", false), ("Karimeen Pollichathu", false), ("Egg Roast", false)],
        price: (50, 420), cost_for_two: (300, 800), suffixes: &["Kerala Mess", "Malabar Kitchen", "Thattukada", "Spice Coast"],
    },
    Cuisine {
        name: "Healthy Food",
        dishes: &[("Quinoa Salad", true), ("Grilled Chicken Bowl", false), ("Greek Salad", true), ("Oats Smoothie", true),
                  ("Paneer Protein Bowl", true), ("Hummus Platter", true), ("Falafel Wrap", true), ("Fresh Fruit Bowl", true),
                  ("Avocado Toast", true), ("Sprouts Chaat", true), ("Grilled Fish", false), ("Egg White Omelette", false)],
        price: (120, 420), cost_for_two: (400, 900), suffixes: &["Salad Co.", "Green Bowl", "Fit Kitchen", "Nourish"],
    },
];

pub const BEVERAGES: &[&str] = &["Masala Chai", "Fresh Lime Soda", "Mango Lassi", "Buttermilk", "Cold Coffee", "Iced Tea"];

pub const PREFIXES: &[&str] = &[
    "Shree", "Royal", "Urban", "Spice", "Green Leaf", "Little", "Golden", "Nandhini", "Annapoorna", "Hotel Sagar",
    "Cafe Mocha", "Namma", "Swagath", "Brahmin's", "Empire", "Paradise", "Aroma", "Kitchen of", "Bombay", "Delhi",
    "Chennai", "Lucky", "New", "Classic", "Tasty", "Zaika", "Rasoi", "Mehfil", "Sai", "Krishna",
];

pub const NEIGHBOURHOODS: &[&str] = &[
    "Koramangala", "Indiranagar", "HSR Layout", "Jayanagar", "Whitefield", "Malleshwaram", "BTM Layout", "Marathahalli",
    "Electronic City", "Hebbal", "JP Nagar", "Banashankari", "Yelahanka", "Rajajinagar", "Bellandur", "Basavanagudi",
];

pub const FIRST_NAMES: &[&str] = &[
    "Aarav", "Vivaan", "Aditya", "Ananya", "Diya", "Ishaan", "Kavya", "Meera", "Rohan", "Saanvi", "Arjun", "Priya",
    "Rahul", "Sneha", "Karthik", "Lakshmi", "Farhan", "Zoya", "Joseph", "Nikhil", "Pooja", "Suresh", "Divya", "Imran",
];

pub const LAST_NAMES: &[&str] = &[
    "Sharma", "Iyer", "Reddy", "Nair", "Khan", "Gowda", "Patel", "Rao", "Menon", "Singh", "Das", "Fernandes",
    "Kulkarni", "Shetty", "Hegde", "Pillai", "Ahmed", "Joshi", "Bhat", "Naidu",
];
