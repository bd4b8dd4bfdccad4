//! The event bus: "calls go down, events go up".
//!
//! A lower module publishes a past-tense event (`DeliveryDone`); modules above react. Every
//! subscription is made in one place, `crates/server/src/wiring.rs`, in the order the handlers
//! run. Handlers run inside the publishing transaction, so what they write commits or rolls
//! back together with the cause. Slow or external effects do not belong here: they go to the
//! outbox.

use std::any::{Any, TypeId};
use std::collections::HashMap;

use crate::Result;
use crate::ctx::Ctx;
use crate::db::Tx;

/// A fact that happened, named in the past tense.
pub trait Event: Any + Send + Sync + std::fmt::Debug {
    /// A stable name such as `inventory.delivery_done`.
    const NAME: &'static str;
}

type Handler = Box<dyn Fn(&mut Tx<'_>, &Ctx, &dyn Any) -> Result<()> + Send + Sync>;

struct Subscription {
    handler_name: &'static str,
    handler: Handler,
}

/// One subscription as listed in the wiring, for `tiangong wiring` and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionInfo {
    pub event: &'static str,
    pub handler: &'static str,
}

#[derive(Default)]
pub struct Bus {
    handlers: HashMap<TypeId, Vec<Subscription>>,
    listed: Vec<SubscriptionInfo>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.listed).finish()
    }
}

impl Bus {
    pub fn new() -> Bus {
        Bus::default()
    }

    /// Subscribes `handler` to `E`; handlers of one event run in subscription order.
    pub fn subscribe<E: Event>(
        &mut self,
        handler_name: &'static str,
        handler: fn(&mut Tx<'_>, &Ctx, &E) -> Result<()>,
    ) {
        let erased: Handler = Box::new(move |tx, ctx, event| match (event as &dyn Any).downcast_ref::<E>() {
            Some(event) => handler(tx, ctx, event),
            None => Ok(()),
        });
        self.handlers.entry(TypeId::of::<E>()).or_default().push(Subscription { handler_name, handler: erased });
        self.listed.push(SubscriptionInfo { event: E::NAME, handler: handler_name });
    }

    /// Called through `Tx::publish`, which guards against endless cascades.
    pub(crate) fn publish<E: Event>(&self, tx: &mut Tx<'_>, ctx: &Ctx, event: &E) -> Result<()> {
        if let Some(subscriptions) = self.handlers.get(&TypeId::of::<E>()) {
            for subscription in subscriptions {
                tracing::debug!(event = E::NAME, handler = subscription.handler_name, "event handled");
                (subscription.handler)(tx, ctx, event)?;
            }
        }
        Ok(())
    }

    /// Every subscription, in the order made.
    pub fn subscriptions(&self) -> &[SubscriptionInfo] {
        &self.listed
    }
}
