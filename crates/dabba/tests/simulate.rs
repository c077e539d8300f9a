//! `dabba simulate --mdrp`: a small instance written to disk, replayed under each policy, its
//! solution files written as the published evaluator reads them.

use std::process::Command;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn an_instance_is_replayed_and_its_solution_written() {
    let root = std::env::temp_dir().join(format!("dabba-mdrp-{}", std::process::id()));
    let inst = root.join("tiny");
    std::fs::create_dir_all(&inst).unwrap();
    write(
        &inst,
        "orders.txt",
        "order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t960\t0\t10\tr1\t20\no2\t0\t640\t12\tr1\t15\n",
    );
    write(&inst, "restaurants.txt", "restaurant\tx\ty\nr1\t0\t0\n");
    write(&inst, "couriers.txt", "courier\tx\ty\ton_time\toff_time\nc1\t320\t0\t0\t120\n");
    write(
        &inst,
        "instance_parameters.txt",
        "meters_per_minute\tpickup service minutes\tdropoff service minutes\ttarget click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n320\t4\t4\t40\t90\t10\t15\n",
    );
    let out = root.join("out");
    // A folder of instances: each solution in its own folder, and the averages.
    let run = Command::new(env!("CARGO_BIN_EXE_dabba"))
        .args(["simulate", "--mdrp", root.to_str().unwrap(), "--policy", "greedy", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{table}{}", String::from_utf8_lossy(&run.stderr));
    assert!(table.contains("| tiny | 2 | 0.00% |"), "{table}");
    let orders = std::fs::read_to_string(out.join("tiny/solution_info_orders.txt")).unwrap();
    let mut lines = orders.lines();
    assert_eq!(lines.next(), Some("order placement_time ready_time pickup_time dropoff_time courier"));
    // One courier, one order at a time: o1 first (placed first): at the counter at 11, picked
    // up once ready at 20, 3 min away, dropped at 25 + 2.
    assert_eq!(lines.next(), Some("o1 10 20 20 27 c1"));
    let assignments = std::fs::read_to_string(out.join("tiny/solution_info_assignments.txt")).unwrap();
    assert_eq!(assignments.lines().nth(1), Some("10 20 c1 o1"));
    let moves = std::fs::read_to_string(out.join("tiny/solution_info_couriers.txt")).unwrap();
    assert_eq!(moves.lines().nth(1), Some("c1 10 0 r1"), "the courier's first trip leaves their start, named 0");
    // The batch policy waits until the courier must leave (1 min away, food ready at 20: at
    // 17), and takes both orders of the one kitchen, the nearer drop-off first.
    let batch = root.join("batch");
    let run = Command::new(env!("CARGO_BIN_EXE_dabba"))
        .args(["simulate", "--mdrp", inst.to_str().unwrap(), "--policy", "batch", "--out", batch.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let assignments = std::fs::read_to_string(batch.join("solution_info_assignments.txt")).unwrap();
    assert_eq!(assignments.lines().nth(1), Some("17 20 c1 o2 o1"), "{assignments}");
    let orders = std::fs::read_to_string(batch.join("solution_info_orders.txt")).unwrap();
    assert!(orders.contains("o2 12 15 20 26 c1") && orders.contains("o1 10 20 20 34 c1"), "{orders}");
    // A folder with no instance is refused with why.
    let empty = root.join("nothing");
    std::fs::create_dir_all(&empty).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_dabba"))
        .args(["simulate", "--mdrp", empty.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("holds no MDRP instance"));
    std::fs::remove_dir_all(&root).ok();
}
