import { render } from 'preact';
import { App } from './app';
import { clientFromPage } from './api/client';
import './styles.css';

const client = clientFromPage();
client.connect();
render(<App client={client} />, document.getElementById('app')!);
