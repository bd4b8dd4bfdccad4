//! Material requirements planning (MRP, 物料需求计划): a regenerative run over every demand
//! (open sales deliveries, forecasts, safety stock and reorder minimums, work orders'
//! unissued materials) and supply (usable stock, open receipts, work orders' remaining output,
//! confirmed planned purchases), netted by low-level code with lead-time offsetting and lot
//! sizing into planned make and buy orders pegged to the demand they cover. The planner
//! confirms planned orders in bulk into work orders and purchase requisitions; the capacity
//! load shows, per work center and day, what open and planned work orders ask of it.

pub mod capacity;
pub mod confirm;
pub mod forecast;
pub mod item;
pub mod net;
pub mod run;

pub use capacity::{CapacityDay, capacity_load};
pub use confirm::{Confirmed, confirm_planned, made_to_order, make_to_order, requisition_made, requisition_ordered};
pub use forecast::{Forecast, ForecastInput, add_forecast, list_forecasts};
pub use item::{ItemInput, ItemSettings, get_item, set_item};
pub use run::{PlannedOrderView, RunSummary, current_run, list_planned, pegging_of, purge_stale, run_mrp};
