// One AppHost (eight processes, fixed ports from dapr.yaml) at a time on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
