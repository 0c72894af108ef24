"""Policy rules an organisation writes on top of the guardrails, delegation and duties, earned
autonomy. See docs/architecture.md ("Policy rules")."""
