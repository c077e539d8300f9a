//! The Meal Delivery Routing Problem's instances (Reyes et al. 2018, Grubhub's public set): the
//! text of their four tab-separated files read into one [`Instance`], and a solution written as
//! the three files the published evaluator reads.

use crate::travel::Point;
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct Order {
    pub id: String,
    /// Where the customer is.
    pub at: Point,
    /// Minutes from the start of the day.
    pub placed: i64,
    /// Index into [`Instance::restaurants`].
    pub restaurant: usize,
    pub ready: i64,
}

#[derive(Debug, Clone)]
pub struct Restaurant {
    pub id: String,
    pub at: Point,
}

#[derive(Debug, Clone)]
pub struct Courier {
    pub id: String,
    /// Where the shift starts.
    pub at: Point,
    pub on: i64,
    pub off: i64,
}

/// One instance: its orders, restaurants, couriers and rules.
#[derive(Debug, Clone)]
pub struct Instance {
    pub orders: Vec<Order>,
    pub restaurants: Vec<Restaurant>,
    pub couriers: Vec<Courier>,
    pub meters_per_minute: f64,
    /// Minutes at the counter and at the door; half before the pickup or drop-off instant, half after.
    pub pickup_service: i64,
    pub dropoff_service: i64,
    pub target_click_to_door: i64,
    pub pay_per_order: f64,
    pub guaranteed_pay_per_hour: f64,
}

/// The rows of a tab-separated file with a header: each row as a map from column to text.
fn rows(text: &str, file: &str) -> Result<Vec<HashMap<String, String>>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> =
        lines.next().ok_or(format!("{file}: empty"))?.split('\t').map(|h| h.trim().to_owned()).collect();
    lines
        .enumerate()
        .map(|(n, l)| {
            let cells: Vec<&str> = l.split('\t').collect();
            if cells.len() != header.len() {
                return Err(format!("{file}: line {} has {} cells, the header {}", n + 2, cells.len(), header.len()));
            }
            Ok(header.iter().cloned().zip(cells.into_iter().map(|c| c.trim().to_owned())).collect())
        })
        .collect()
}

fn num(row: &HashMap<String, String>, col: &str, file: &str) -> Result<f64, String> {
    let v = row.get(col).ok_or(format!("{file}: no column {col:?}"))?;
    v.parse::<f64>().map_err(|_| format!("{file}: {col} {v:?} is not a number"))
}

fn text(row: &HashMap<String, String>, col: &str, file: &str) -> Result<String, String> {
    row.get(col).cloned().ok_or(format!("{file}: no column {col:?}"))
}

impl Instance {
    /// Reads an instance from the text of `orders.txt`, `restaurants.txt`, `couriers.txt` and
    /// `instance_parameters.txt`.
    pub fn parse(orders: &str, restaurants: &str, couriers: &str, parameters: &str) -> Result<Self, String> {
        let point = |r: &HashMap<String, String>, f: &str| -> Result<Point, String> {
            Ok(Point { x: num(r, "x", f)?, y: num(r, "y", f)? })
        };
        let restaurants: Vec<Restaurant> = rows(restaurants, "restaurants.txt")?
            .iter()
            .map(|r| Ok(Restaurant { id: text(r, "restaurant", "restaurants.txt")?, at: point(r, "restaurants.txt")? }))
            .collect::<Result<_, String>>()?;
        let index: HashMap<&str, usize> = restaurants.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        let orders = rows(orders, "orders.txt")?
            .iter()
            .map(|r| {
                let f = "orders.txt";
                let rid = text(r, "restaurant", f)?;
                Ok(Order {
                    id: text(r, "order", f)?,
                    at: point(r, f)?,
                    placed: num(r, "placement_time", f)? as i64,
                    restaurant: *index.get(rid.as_str()).ok_or(format!("{f}: unknown restaurant {rid}"))?,
                    ready: num(r, "ready_time", f)? as i64,
                })
            })
            .collect::<Result<_, String>>()?;
        let couriers = rows(couriers, "couriers.txt")?
            .iter()
            .map(|r| {
                let f = "couriers.txt";
                Ok(Courier {
                    id: text(r, "courier", f)?,
                    at: point(r, f)?,
                    on: num(r, "on_time", f)? as i64,
                    off: num(r, "off_time", f)? as i64,
                })
            })
            .collect::<Result<_, String>>()?;
        let p = rows(parameters, "instance_parameters.txt")?
            .into_iter()
            .next()
            .ok_or("instance_parameters.txt: no values")?;
        let f = "instance_parameters.txt";
        Ok(Self {
            orders,
            restaurants,
            couriers,
            meters_per_minute: num(&p, "meters_per_minute", f)?,
            pickup_service: num(&p, "pickup service minutes", f)? as i64,
            dropoff_service: num(&p, "dropoff service minutes", f)? as i64,
            target_click_to_door: num(&p, "target click-to-door", f)? as i64,
            pay_per_order: num(&p, "pay per order", f)?,
            guaranteed_pay_per_hour: num(&p, "guaranteed pay per hour", f)?,
        })
    }
}

/// Where a courier drives: their starting point, a restaurant or an order's customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Start,
    Restaurant(usize),
    Customer(usize),
}

/// One bundle sent to a courier: when it was decided, when it is picked up, its orders in
/// drop-off order.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub courier: usize,
    pub at: i64,
    pub pickup: i64,
    pub orders: Vec<usize>,
}

/// A courier's trip: leaves `from` at `depart` for `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub courier: usize,
    pub depart: i64,
    pub from: Place,
    pub to: Place,
}

/// What happened to each order (`None`: never delivered).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delivery {
    pub courier: usize,
    pub pickup: i64,
    pub dropoff: i64,
}

/// A day dispatched: bundles, trips and each order's fate.
#[derive(Debug, Clone, Default)]
pub struct Solution {
    pub assignments: Vec<Assignment>,
    pub moves: Vec<Move>,
    pub deliveries: Vec<Option<Delivery>>,
}

impl Solution {
    /// The three files of the published evaluator: (`solution_info_assignments.txt`,
    /// `solution_info_orders.txt`, `solution_info_couriers.txt`).
    pub fn files(&self, inst: &Instance) -> (String, String, String) {
        let mut a = String::from("assignment_time pickup_time courier orders\n");
        for x in &self.assignments {
            let _ = write!(a, "{} {} {}", x.at, x.pickup, inst.couriers[x.courier].id);
            for o in &x.orders {
                let _ = write!(a, " {}", inst.orders[*o].id);
            }
            a.push('\n');
        }
        let mut o = String::from("order placement_time ready_time pickup_time dropoff_time courier\n");
        for (i, order) in inst.orders.iter().enumerate() {
            let _ = match self.deliveries.get(i).copied().flatten() {
                Some(d) => writeln!(
                    o,
                    "{} {} {} {} {} {}",
                    order.id, order.placed, order.ready, d.pickup, d.dropoff, inst.couriers[d.courier].id
                ),
                None => writeln!(o, "{} {} {} nan nan nan", order.id, order.placed, order.ready),
            };
        }
        // The evaluator reads each courier's trips as one block, in time order.
        let mut moves: Vec<&Move> = self.moves.iter().collect();
        moves.sort_by_key(|m| (m.courier, m.depart));
        let mut c = String::from("courier departure_time origin destination\n");
        // The evaluator names a courier's starting point `0`.
        let name = |p: Place| match p {
            Place::Start => "0".to_owned(),
            Place::Restaurant(r) => inst.restaurants[r].id.clone(),
            Place::Customer(o) => inst.orders[o].id.clone(),
        };
        for m in moves {
            let _ = writeln!(c, "{} {} {} {}", inst.couriers[m.courier].id, m.depart, name(m.from), name(m.to));
        }
        (a, o, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDERS: &str = "order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t100\t0\t600\tr1\t615\n";
    const RESTAURANTS: &str = "restaurant\tx\ty\nr1\t0\t0\n";
    const COURIERS: &str = "courier\tx\ty\ton_time\toff_time\nc1\t0\t320\t590\t700\n";
    const PARAMETERS: &str = "meters_per_minute\tpickup service minutes\tdropoff service minutes\ttarget click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n320\t4\t4\t40\t90\t10\t15\n";

    #[test]
    fn an_instance_reads_its_four_files() {
        let i = Instance::parse(ORDERS, RESTAURANTS, COURIERS, PARAMETERS).unwrap();
        assert_eq!((i.orders.len(), i.restaurants.len(), i.couriers.len()), (1, 1, 1));
        assert_eq!((i.orders[0].placed, i.orders[0].ready, i.orders[0].restaurant), (600, 615, 0));
        assert_eq!((i.couriers[0].on, i.couriers[0].off), (590, 700));
        assert_eq!((i.meters_per_minute, i.pickup_service, i.dropoff_service), (320.0, 4, 4));
        assert_eq!((i.pay_per_order, i.guaranteed_pay_per_hour), (10.0, 15.0));
    }

    #[test]
    fn bad_files_are_refused_with_where() {
        let bad = ORDERS.replace("r1\t615", "r9\t615");
        assert!(
            Instance::parse(&bad, RESTAURANTS, COURIERS, PARAMETERS).unwrap_err().contains("unknown restaurant r9")
        );
        let short = "order\tx\no1\t5\n";
        assert!(Instance::parse(short, RESTAURANTS, COURIERS, PARAMETERS).unwrap_err().contains("no column"));
        let nan = COURIERS.replace("590", "soon");
        assert!(Instance::parse(ORDERS, RESTAURANTS, &nan, PARAMETERS).unwrap_err().contains("not a number"));
    }
}
