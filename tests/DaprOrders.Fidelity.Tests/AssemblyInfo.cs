// The tests start node processes, the emulator and (one of them) the whole system; one at a time keeps a 2-core
// machine from starving the asynchronous flows they wait for.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
