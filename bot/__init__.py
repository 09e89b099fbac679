"""The process: settings, building the Application, the scheduler and the command line."""
