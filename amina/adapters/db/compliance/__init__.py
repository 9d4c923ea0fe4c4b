"""Tables of compliance and due process, and the sweep's store."""
