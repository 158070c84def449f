"""The enterprise's service hall (企业服务端), one module per area: projects, approvals,
reports, needs, complaints, ratings, inspections, commitments and the accounts."""
