//! The catalog: every system Patchbay knows, described by data.

use std::sync::Arc;

use crate::{Connector, SystemDescriptor};

/// All connectors, by system id.
#[derive(Clone)]
pub struct Catalog {
    connectors: Vec<Arc<dyn Connector>>,
}

impl Catalog {
    pub fn new(connectors: Vec<Arc<dyn Connector>>) -> Self {
        Self { connectors }
    }

    pub fn systems(&self) -> Vec<SystemDescriptor> {
        self.connectors
            .iter()
            .map(|c| c.descriptor().clone())
            .collect()
    }

    pub fn get(&self, system_id: &str) -> Option<Arc<dyn Connector>> {
        self.connectors
            .iter()
            .find(|c| c.descriptor().id == system_id)
            .cloned()
    }
}
